"""The fit's price of a GGUF level against the file llama.cpp really writes: the demo model converted to
Q8_0 by llama.cpp's converter and quantizer (through aqua_ext's conversion), its tensor data measured
by llama.cpp's own reader (gguf-py, which scripts/setup installs beside the converter) and by the
file's size on disk. Q8_0 is one block type (ggml-common.h: block_q8_0 = one fp16 scale + 32 int8 =
34 bytes per 32 weights), so the estimate must land within the 1-D norms it prices at 8.5 bits
(llama.cpp keeps them F32) and the tensors' alignment padding."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aqua_ext.api.fit import FitQuery
from aqua_ext.api.models import Capability, ModelDetail, ModelSource
from aqua_ext.backends.local import llama_gguf
from aqua_ext.backends.local.model_folder import inspect_folder
from aqua_ext.services.memory_fit import estimate_fit
from aqua_ext.services.weight_bytes import gguf_bits_per_weight
from tests.model_folders import demo_gguf_twin, needs_local_extra


def _gguf_reader() -> type:
    converter = llama_gguf.converter_dir()
    if converter is None:
        pytest.skip("llama.cpp's converter (and its gguf-py) is not installed: run scripts/setup")
    sys.path.insert(0, str(converter / "gguf-py"))
    try:
        from gguf import GGUFReader  # llama.cpp's own reader, not aqua_ext's header parser
    finally:
        sys.path.pop(0)
    return GGUFReader  # type: ignore[no-any-return]


@needs_local_extra
def test_q8_0_price_matches_the_file_llama_cpp_writes(demo_model_dir: Path) -> None:
    reader_class = _gguf_reader()
    [gguf] = demo_gguf_twin(demo_model_dir, "Q8_0").glob("*.gguf")
    reader = reader_class(gguf)
    on_disk = gguf.stat().st_size - reader.data_offset  # the tensors' bytes, padding included
    by_type = {t.tensor_type.name for t in reader.tensors}
    assert by_type == {"Q8_0", "F32"}, "2-D weights in Q8_0, the norms in F32"
    for tensor in reader.tensors:
        if tensor.tensor_type.name == "Q8_0":
            assert tensor.n_bytes * 32 == tensor.n_elements * 34, tensor.name

    info = inspect_folder(demo_model_dir)
    model = ModelDetail(
        id="demo",
        name="demo",
        source=ModelSource.DEMO,
        capability=Capability.TEXT_TO_TEXT,
        parameter_count=info.parameter_count,
        formats=info.formats,
        ready_to_deploy=True,
        ready_to_finetune=True,
        architecture=info.architecture,
    )
    report = estimate_fit(model, FitQuery(engine="llama.cpp", quantization="Q8_0", context_length=64), None)
    assert report.quantization == "Q8_0"
    predicted = (info.parameter_count or 0) * (gguf_bits_per_weight("Q8_0") or 0) / 8
    assert report.weights_gb == round(predicted / 1e9, 2)
    # 139,584 weights × 8.5 / 8 = 148,308 bytes; the file holds 149,248 (+ padding): the 320 norm
    # weights in F32 (4 bytes each, not 1.0625).
    assert abs(on_disk - predicted) / on_disk < 0.02, (on_disk, predicted)
    assert sum(t.n_bytes for t in reader.tensors) <= on_disk
