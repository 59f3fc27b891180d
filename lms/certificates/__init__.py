"""Certificates: issuing, signed Open Badges 3.0 credentials, verification and employer checks."""
