"""The OCI Generative AI target (`genai`): its driver, over the Generative AI control plane."""
