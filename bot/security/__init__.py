"""Security plumbing shared by the servers: secrets on disk, private file permissions."""
