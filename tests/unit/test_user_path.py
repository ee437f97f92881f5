"""Path fields count bytes the way file systems do (NAME_MAX 255, PATH_MAX 4096), not characters:
a Korean or Japanese name takes three UTF-8 bytes per character."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from aqua_ext.api.common import UserPath

PATH = TypeAdapter(UserPath)


@pytest.mark.parametrize("char", ["한", "の"], ids=["korean", "japanese"])
def test_a_name_of_255_bytes_is_taken_and_one_of_258_is_refused(char: str) -> None:
    assert len(char.encode("utf-8")) == 3
    fits = f"data/{char * 85}"  # 255 bytes: the longest name a file system takes
    assert PATH.validate_python(fits) == fits
    with pytest.raises(ValidationError, match="258 bytes long"):
        PATH.validate_python(f"data/{char * 86}")


def test_a_path_over_4096_bytes_is_refused_though_it_has_fewer_characters() -> None:
    path = "/".join(["데이터" * 20] * 23)  # 1,402 characters, 4,162 bytes; every name 180 bytes
    assert len(path) < 4096 < len(path.encode("utf-8"))
    with pytest.raises(ValidationError, match="at most 4096 bytes"):
        PATH.validate_python(path)
