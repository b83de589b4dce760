//! Authentication methods through real Terraform (owned by the auth work).
