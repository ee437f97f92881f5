"""Local stand-ins for the hosted LLM services a connection reaches (OpenAI, Azure OpenAI, Cohere, OCI
Generative AI inference, a generic REST service), built from the providers' documented request and
response shapes, error payloads included. They validate requests as strictly as the real APIs (unknown
or missing fields are refused in the provider's own error shape), so a wrong translation fails."""
