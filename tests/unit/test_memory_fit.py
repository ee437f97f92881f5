"""Unit tests of the memory-fit estimate and the OCI shape recommendation."""

from __future__ import annotations

import pytest

from aqua_ext.api.fit import Dtype, FitQuery, FitReport
from aqua_ext.api.info import Gpu, Hardware
from aqua_ext.api.models import Architecture, Capability, ModelDetail, ModelFormat, ModelSource, ModelSummary
from aqua_ext.backends.local.hardware import parse_nvidia_smi
from aqua_ext.backends.oci.shapes import OCI_GPU_SHAPES, GpuShape, get_shape
from aqua_ext.services.deploy_plan import vllm_cannot_run
from aqua_ext.services.memory_fit import estimate_fit

LLAMA_8B_ARCH = Architecture(
    model_type="llama",
    num_hidden_layers=32,
    hidden_size=4096,
    num_attention_heads=32,
    num_key_value_heads=8,
    torch_dtype="bfloat16",
)
LLAMA_70B_ARCH = Architecture(
    model_type="llama",
    num_hidden_layers=80,
    hidden_size=8192,
    num_attention_heads=64,
    num_key_value_heads=8,
    torch_dtype="bfloat16",
)
LLAMA_1B_ARCH = Architecture(
    model_type="llama",
    num_hidden_layers=16,
    hidden_size=2048,
    num_attention_heads=32,
    num_key_value_heads=8,
    head_dim=64,
    torch_dtype="bfloat16",
)

NO_GPU = Hardware(cpu_count=8, memory_gb=24.0, gpus=[], platform="Linux x86_64")


def _summary(parameter_count: int | None, model_id: str = "org/model") -> ModelSummary:
    return ModelSummary(
        id=model_id,
        name=model_id.split("/")[-1],
        source=ModelSource.CATALOG,
        capability=Capability.TEXT_TO_TEXT,
        parameter_count=parameter_count,
        context_length=131072,
        formats=[ModelFormat.SAFETENSORS],
        ready_to_deploy=True,
        ready_to_finetune=True,
    )


def _detail(parameter_count: int | None, architecture: Architecture | None, model_id: str = "org/model") -> ModelDetail:
    return ModelDetail(**_summary(parameter_count, model_id).model_dump(), architecture=architecture)


def _fit(
    model: ModelSummary,
    dtype: Dtype = "bfloat16",
    context_length: int = 4096,
    concurrency: int = 1,
    hardware: Hardware = NO_GPU,
) -> FitReport:
    return estimate_fit(model, FitQuery(dtype=dtype, context_length=context_length, concurrency=concurrency), hardware)


def _smallest_fitting_shape(total_gb: float) -> GpuShape:
    """The test's own statement of the rule: the fitting shape with the least total GPU
    memory, where 90% of the memory counts as usable."""
    fitting = [s for s in OCI_GPU_SHAPES if total_gb <= 0.9 * s.gpu_count * s.gpu_memory_gb_per_gpu]
    return sorted(fitting, key=lambda s: (s.gpu_count * s.gpu_memory_gb_per_gpu, s.gpu_count, s.name))[0]


def test_7b_fp16_weights_follow_the_rule_of_thumb() -> None:
    report = _fit(_summary(7_000_000_000), dtype="float16")
    assert report.bytes_per_parameter == 2
    assert report.weights_gb == 14.0


@pytest.mark.parametrize(("dtype", "expected"), [("float32", 28.0), ("bfloat16", 14.0), ("int8", 7.0), ("int4", 3.5)])
def test_bytes_per_parameter_by_dtype(dtype: Dtype, expected: float) -> None:
    assert _fit(_summary(7_000_000_000), dtype=dtype).weights_gb == expected


def test_int4_halves_int8_weights() -> None:
    model = _summary(8_030_261_248)
    int8 = _fit(model, dtype="int8").weights_gb
    int4 = _fit(model, dtype="int4").weights_gb
    assert int8 is not None and int4 is not None
    assert int4 == pytest.approx(int8 / 2, abs=0.01)


def test_kv_cache_of_llama_8b_at_4096_tokens() -> None:
    report = _fit(_detail(8_030_261_248, LLAMA_8B_ARCH))
    # 2 x 32 layers x 8 KV heads x 128 head dim x 4096 tokens x 1 sequence x 2 bytes = 536,870,912 bytes
    assert report.kv_cache_gb == 0.54
    assert report.weights_gb == 16.06
    assert report.overhead_gb == 1.61
    assert report.total_gb == 18.21


def test_kv_cache_scales_linearly_with_concurrency_and_context() -> None:
    model = _detail(8_030_261_248, LLAMA_8B_ARCH)
    one = 2 * 32 * 8 * 128 * 4096 * 2 / 1e9
    assert _fit(model, concurrency=8).kv_cache_gb == round(8 * one, 2)
    assert _fit(model, context_length=32768).kv_cache_gb == round(8 * one, 2)
    assert _fit(model, context_length=8192, concurrency=4).kv_cache_gb == round(8 * one, 2)
    # float32 keeps the KV cache in 4 bytes; quantized weights still use 16-bit KV.
    assert _fit(model, dtype="float32").kv_cache_gb == round(2 * one, 2)
    assert _fit(model, dtype="int4").kv_cache_gb == round(one, 2)


def test_kv_cache_defaults_kv_heads_to_attention_heads() -> None:
    arch = Architecture(num_hidden_layers=24, hidden_size=2048, num_attention_heads=16)
    report = _fit(_detail(1_000_000_000, arch))
    assert report.kv_cache_gb == round(2 * 24 * 16 * 128 * 4096 * 2 / 1e9, 2)


def test_small_model_recommends_the_smallest_a10_shape() -> None:
    report = _fit(_detail(1_235_814_400, LLAMA_1B_ARCH))
    assert report.recommended_shape == "VM.GPU.A10.1"
    recommended = [t.name for t in report.shapes if t.recommended]
    assert recommended == ["VM.GPU.A10.1"]


def test_70b_bf16_recommends_the_smallest_fitting_shape() -> None:
    report = _fit(_detail(70_553_706_496, LLAMA_70B_ARCH))
    assert report.total_gb is not None
    assert report.weights_gb == 141.11
    assert report.recommended_shape == _smallest_fitting_shape(report.total_gb).name
    by_name = {t.name: t for t in report.shapes}
    assert not by_name["VM.GPU.A10.2"].fits
    assert by_name["VM.GPU.A10.2"].headroom_gb < 0
    assert not by_name["BM.GPU.A10.4"].fits
    assert by_name["BM.GPU.H200.8"].fits
    assert [t.name for t in report.shapes if t.recommended] == [report.recommended_shape]


def test_shape_targets_use_90_percent_of_gpu_memory() -> None:
    report = _fit(_detail(8_030_261_248, LLAMA_8B_ARCH))
    a10 = next(t for t in report.shapes if t.name == "VM.GPU.A10.1")
    assert a10.kind == "oci-shape"
    assert a10.gpu_count == 1
    assert a10.memory_gb == 24
    assert a10.headroom_gb == round(0.9 * 24 - 18.21, 2)
    assert a10.fits
    assert len(report.shapes) == len(OCI_GPU_SHAPES)


def test_shapes_vllm_cannot_run_are_not_listed() -> None:
    # P100 (compute capability 6.0) is below vLLM's minimum; V100 has no kernel in vLLM's V1 engine.
    report = _fit(_detail(1_235_814_400, LLAMA_1B_ARCH))
    names = {t.name for t in report.shapes}
    assert not names & {"VM.GPU2.1", "VM.GPU3.1", "VM.GPU3.2", "VM.GPU3.4", "BM.GPU3.8"}
    assert all(get_shape(name) is None for name in ("VM.GPU2.1", "VM.GPU3.1"))


def test_unknown_architecture_leaves_kv_cache_unknown() -> None:
    for model in (
        _summary(8_030_261_248),
        _detail(8_030_261_248, None),
        _detail(8_030_261_248, Architecture(model_type="llama", hidden_size=4096)),
    ):
        report = _fit(model)
        assert report.kv_cache_gb is None
        assert report.weights_gb == 16.06
        assert report.total_gb == round(16.06 + 1.61, 2)
        assert any("KV cache not estimated" in line for line in report.assumptions)
        assert any("KV cache = unknown" in line for line in report.arithmetic)
        assert report.recommended_shape == "VM.GPU.A10.1"


def test_unknown_parameter_count_fits_nowhere() -> None:
    hardware = Hardware(
        cpu_count=8, memory_gb=512.0, gpus=[Gpu(index=0, name="NVIDIA H100", memory_gb=80.0)], platform="Linux x86_64"
    )
    report = _fit(_detail(None, LLAMA_8B_ARCH), hardware=hardware)
    assert report.weights_gb is None and report.kv_cache_gb is None
    assert report.overhead_gb is None and report.total_gb is None
    assert report.recommended_shape is None
    assert not any(t.fits or t.recommended for t in report.shapes + report.local)
    assert any("parameter count unknown" in line.lower() for line in report.assumptions)


def test_cpu_target_uses_80_percent_of_ram() -> None:
    report = _fit(_summary(7_000_000_000))  # 14 + 1.4 = 15.4 GB
    assert len(report.local) == 1
    cpu = report.local[0]
    assert cpu.kind == "local-cpu"
    assert cpu.gpu_count == 0
    assert cpu.name == "This machine (CPU, 24 GB RAM)"
    assert cpu.memory_gb == 19.2
    assert cpu.headroom_gb == round(19.2 - 15.4, 2)
    assert cpu.fits and cpu.recommended
    assert any("80%" in line for line in report.assumptions)
    assert not _fit(_summary(7_000_000_000), dtype="float32").local[0].fits


def test_two_local_gpus_add_an_all_gpus_target() -> None:
    hardware = Hardware(
        cpu_count=16,
        memory_gb=128.0,
        platform="Linux x86_64",
        gpus=parse_nvidia_smi("0, NVIDIA A10, 23028\n1, NVIDIA A10, 23028\n"),
    )
    report = _fit(_detail(8_030_261_248, LLAMA_8B_ARCH), hardware=hardware)
    assert [t.kind for t in report.local] == ["local-gpu", "local-gpu", "local-gpu", "local-cpu"]
    assert [t.gpu_count for t in report.local] == [1, 1, 2, 0]
    everything = report.local[2]
    assert "all 2 GPUs" in everything.name
    assert everything.memory_gb == 48.3  # 2 × 24.15 GB (23028 MiB each)
    assert report.local[0].name == "This machine (GPU 0: NVIDIA A10)"
    # 18.21 GB fits in 90% of one 24.15 GB A10, so the first GPU is the recommended local target.
    assert [t.recommended for t in report.local] == [True, False, False, False]


def test_local_recommendation_prefers_all_gpus_over_cpu() -> None:
    hardware = Hardware(
        cpu_count=16,
        memory_gb=256.0,
        platform="Linux x86_64",
        gpus=[Gpu(index=0, name="NVIDIA L4", memory_gb=24.0), Gpu(index=1, name="NVIDIA L4", memory_gb=24.0)],
    )
    report = _fit(_summary(14_000_000_000), hardware=hardware)  # 28 + 2.8 = 30.8 GB
    assert [(t.fits, t.recommended) for t in report.local] == [
        (False, False),
        (False, False),
        (True, True),
        (True, False),
    ]


def test_arithmetic_lines_show_the_numbers() -> None:
    lines = _fit(_detail(8_030_261_248, LLAMA_8B_ARCH)).arithmetic
    assert lines[0] == "weights = 8.03 B params × 2 bytes (bfloat16) = 16.06 GB"
    assert lines[1] == (
        "KV cache = 2 × 32 layers × 8 KV heads × 128 head dim × 4,096 tokens × 1 sequence × 2 bytes = 0.54 GB"
    )
    assert lines[2] == "overhead = max(1 GB, 10% of weights) = 1.61 GB"
    assert "18.21 GB" in lines[3] and lines[3].startswith("total")


def test_context_longer_than_the_model_supports_is_flagged() -> None:
    report = _fit(_summary(1_000_000_000), context_length=200_000)
    assert any("131,072" in line for line in report.assumptions)


def test_shape_table_is_consistent() -> None:
    names = [s.name for s in OCI_GPU_SHAPES]
    assert len(names) == len(set(names))
    for required in (
        "VM.GPU.A10.1",
        "VM.GPU.A10.2",
        "BM.GPU.A10.4",
        "BM.GPU4.8",
        "BM.GPU.A100-v2.8",
        "BM.GPU.H100.8",
        "BM.GPU.H200.8",
        "BM.GPU.L40S.4",
        "BM.GPU.B200.8",
        "BM.GPU.GB200.4",
        "BM.GPU.MI300X.8",
    ):
        assert get_shape(required) is not None
    h200 = get_shape("BM.GPU.H200.8")
    assert h200 is not None and h200.gpu_count == 8 and h200.total_gpu_memory_gb == 8 * 141
    assert get_shape("VM.GPU.Nonexistent") is None


def test_parse_nvidia_smi() -> None:
    gpus = parse_nvidia_smi("0, NVIDIA A10, 23028\n1, NVIDIA A10, 23028\n")
    assert [g.index for g in gpus] == [0, 1]
    assert all(g.name == "NVIDIA A10" for g in gpus)
    assert all(g.memory_gb == 24.15 for g in gpus)  # 23028 MiB in decimal GB
    assert all(g.vendor == "nvidia" for g in gpus)
    assert parse_nvidia_smi("") == []
    assert parse_nvidia_smi("garbage line\n0, NVIDIA A10, not-a-number\n") == []


def test_deploy_refuses_shapes_vllm_cannot_run() -> None:
    assert vllm_cannot_run("VM.GPU2.1") == "P100 (compute capability 6.0, below vLLM's 7.0)"
    assert vllm_cannot_run("BM.GPU3.8") == "V100 (no attention kernel in vLLM's V1 engine)"
    assert all(vllm_cannot_run(shape.name) is None for shape in OCI_GPU_SHAPES)
