"""The three approaches of asset-appraisal practice: income (relief from royalty), market, cost."""
