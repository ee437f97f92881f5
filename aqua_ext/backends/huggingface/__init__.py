"""What every target that downloads from the Hugging Face hub shares: download.py checks a repository
on the hub and downloads it in a child process (the local target into its model folders, the OCI target
to upload into Object Storage)."""
