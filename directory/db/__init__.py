"""Database layer: Open Referral UK models and sessions."""
