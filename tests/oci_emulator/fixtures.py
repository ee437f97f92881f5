"""pytest fixtures for the OCI emulator. Import them into a test module to use them:

from tests.oci_emulator.fixtures import oci_emulator, oci_test_config  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .keys import OciTestConfig, write_oci_config
from .server import OciEmulator


@pytest.fixture(scope="module")
def oci_test_config(tmp_path_factory: pytest.TempPathFactory) -> OciTestConfig:
    """A throwaway API-key identity (key + config file), shared by the tests of one module."""
    return write_oci_config(tmp_path_factory.mktemp("oci-config"))


@pytest.fixture
def oci_emulator(oci_test_config: OciTestConfig) -> Iterator[OciEmulator]:
    """A started emulator accepting ``oci_test_config``'s key; fast transitions."""
    with OciEmulator(config=oci_test_config, transition_seconds=0.05) as emu:
        yield emu
