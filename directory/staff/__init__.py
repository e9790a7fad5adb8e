"""Staff pages: sign-in, roles, editing the directory, drafts, checks and audit."""
