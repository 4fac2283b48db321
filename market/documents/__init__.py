"""Rendering helpers for the deal documents: amounts in capital numerals, QR codes, HTML → PDF.

The operations (request, render, reissue, verify) live in ``market.services.documents``; this
package only turns data into bytes.
"""
