"""Pledge financing (专利权质押融资): application, review, contract, registration, loan, monitoring, release or default."""
