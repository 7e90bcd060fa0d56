"""Education providers: their reviewers and their decisions on signed-off stages (rule D11)."""
