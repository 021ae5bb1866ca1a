"""Legal-aid applications: reference numbers, encrypted storage, the status workflow, staff access."""
