"""The connections driver: hosted LLM services spoken to in their own dialects (OpenAI, Azure
OpenAI, Cohere, OCI Generative AI, a generic REST template), each translated to and from the
OpenAI chat shape in one module per provider (`dialects/`). It reports what the service says;
which errors mean what, and what a connection may do, are decided in services/."""
