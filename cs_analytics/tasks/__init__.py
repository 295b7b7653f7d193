"""Tasks (playbooks): rule-raised and hand-made tasks, their history, the account timeline."""
