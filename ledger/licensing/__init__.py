"""The licensing procedure (行政许可) before a certificate: its statutory time limits, counted in working days."""
