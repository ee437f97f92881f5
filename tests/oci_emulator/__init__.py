"""A local OCI emulator for tests: real ``oci`` SDK clients, real request signing, in-memory services.

See README.md in this folder.
"""

from .core import OciError, new_ocid
from .keys import OciTestConfig, write_oci_config
from .server import FAULT_KINDS, FaultConfig, OciEmulator

__all__ = ["FAULT_KINDS", "FaultConfig", "OciEmulator", "OciError", "OciTestConfig", "new_ocid", "write_oci_config"]
