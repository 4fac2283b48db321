"""Frontend views, one module per audience: public, deals, holder (my workspace), staff, auth."""
