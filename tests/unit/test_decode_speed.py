"""The decode-speed estimate (tokens/s ≈ bandwidth ÷ bytes read per token) and the weights' choices
each engine runs (dtype, GGUF level, vLLM quantization), with the arithmetic done by hand in each
assertion. Figures: the vendors' datasheets for GPUs; a given RAM bandwidth for the CPU."""

from __future__ import annotations

import pytest

from aqua_ext.api.fit import FitQuery, FitReport
from aqua_ext.api.info import Gpu, Hardware
from aqua_ext.api.models import (
    Architecture,
    Capability,
    ModelDetail,
    ModelFormat,
    ModelSource,
    Quantization,
)
from aqua_ext.backends.oci.shapes import OCI_GPU_SHAPES
from aqua_ext.errors import InvalidInput
from aqua_ext.services import quantization
from aqua_ext.services.decode_speed import TOO_SLOW_TOKENS_PER_S, estimate_decode, gpu_bandwidth
from aqua_ext.services.genai_units import UNIT_SHAPES
from aqua_ext.services.memory_fit import estimate_fit

LLAMA_8B = Architecture(
    model_type="llama",
    num_hidden_layers=32,
    hidden_size=4096,
    num_attention_heads=32,
    num_key_value_heads=8,
    vocab_size=128256,
    tie_word_embeddings=False,
    torch_dtype="bfloat16",
)
LLAMA_8B_PARAMS = 8_030_261_248


def _model(params: int | None, arch: Architecture | None = None, **kw: object) -> ModelDetail:
    return ModelDetail(
        id="org/model",
        name="model",
        source=ModelSource.REGISTERED,
        capability=Capability.TEXT_TO_TEXT,
        parameter_count=params,
        context_length=131072,
        formats=kw.pop("formats", [ModelFormat.SAFETENSORS]),  # type: ignore[arg-type]
        ready_to_deploy=True,
        ready_to_finetune=True,
        architecture=arch,
        **kw,  # type: ignore[arg-type]
    )


def _cpu(memory_gb: float = 512.0, bandwidth: float | None = 20.0) -> Hardware:
    return Hardware(cpu_count=8, memory_gb=memory_gb, gpus=[], platform="Linux x86_64", memory_bandwidth_gb_s=bandwidth)


def _fit(model: ModelDetail, hardware: Hardware | None = None, **query: object) -> FitReport:
    return estimate_fit(model, FitQuery(**query), hardware)  # type: ignore[arg-type]


def _target(report: FitReport, name: str):  # type: ignore[no-untyped-def]
    return next(t for t in [*report.local, *report.shapes] if t.name == name)


# ---- bandwidth table ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "gb_s"),
    [
        # nvidia-smi's names
        ("NVIDIA A10", 600),
        ("NVIDIA A10G", 600),
        ("NVIDIA A100-SXM4-40GB", 1555),
        ("NVIDIA A100-SXM4-80GB", 2039),
        ("NVIDIA A100 80GB PCIe", 1935),
        ("NVIDIA H100 80GB HBM3", 3350),
        ("NVIDIA H100 PCIe", 2000),
        ("NVIDIA H100 NVL", 3900),
        ("NVIDIA H200", 4800),
        ("NVIDIA L40S", 864),
        ("NVIDIA L4", 300),
        ("Tesla V100-SXM2-16GB", 900),
        ("Tesla T4", 320),
        # the OCI shape table's
        ("A100 40GB", 1555),
        ("A100 80GB", 2039),
        ("GB200", 8000),
        ("B200", 8000),
        ("MI300X", 5300),
    ],
)
def test_gpu_bandwidth_follows_the_datasheets(name: str, gb_s: float) -> None:
    found = gpu_bandwidth(name)
    assert found is not None and found[0] == gb_s


def test_every_gpu_the_shape_tables_know_has_a_bandwidth() -> None:
    assert [s.name for s in OCI_GPU_SHAPES if gpu_bandwidth(s.gpu_type) is None] == []
    assert [s.name for s in UNIT_SHAPES if gpu_bandwidth(s.gpu) is None] == []
    assert gpu_bandwidth("Matrox G200eR2") is None


def test_estimate_by_hand() -> None:
    one = estimate_decode(14.0, 600.0, 1, "A10 datasheet")
    assert one.tokens_per_s == 42.9 and not one.too_slow, "600 GB/s ÷ 14 GB = 42.86 tokens/s"
    assert one.line == "600 GB/s (A10 datasheet) ÷ 14.00 GB ≈ 42.9 tokens/s"
    two = estimate_decode(14.5, 600.0, 2, "A10 datasheet")
    assert two.tokens_per_s == 82.8, "2 × 600 GB/s ÷ 14.5 GB = 82.76"
    slow = estimate_decode(28.0, 20.0, 1, "measured")
    assert slow.tokens_per_s == 0.7 and slow.too_slow, "20 GB/s ÷ 28 GB = 0.71 < 2"
    assert estimate_decode(10.0, 20.0, 1, "m").too_slow is False, "exactly 2 tokens/s is not too slow"
    assert TOO_SLOW_TOKENS_PER_S == 2.0


# ---- the fit's decode figures -------------------------------------------------------------------


def test_shapes_get_tokens_per_s_from_the_weights() -> None:
    # No architecture: the KV cache is unknown, so bytes per token = weights = 7e9 × 2 = 14.0 GB.
    report = _fit(_model(7_000_000_000), dtype="bfloat16")
    assert report.weights_gb == 14.0
    assert _target(report, "VM.GPU.A10.1").tokens_per_s == 42.9, "600 / 14"
    assert _target(report, "VM.GPU.A10.2").tokens_per_s == 85.7, "2 × 600 / 14 = 85.71"
    assert _target(report, "BM.GPU.H100.8").tokens_per_s == 1914, "8 × 3350 / 14 = 1914.3"
    assert _target(report, "VM.GPU.A10.1").bandwidth_gb_s == 600
    assert report.decode[0].startswith("bytes read per token ≈ weights 14.00 GB (KV cache unknown")
    assert "VM.GPU.A10.1: 600 GB/s (A10 datasheet) ÷ 14.00 GB ≈ 42.9 tokens/s" in report.decode
    assert report.too_slow_below_tokens_per_s == 2.0


def test_kv_cache_is_read_with_the_weights() -> None:
    # KV: 2 × 32 layers × 8 heads × 128 × 2 bytes × 4096 tokens = 536,870,912 B = 0.54 GB;
    # weights 8e9 × 2 = 16.0 GB: 16.54 GB per token; 600 / 16.54 = 36.28.
    report = _fit(_model(8_000_000_000, LLAMA_8B), dtype="bfloat16", context_length=4096)
    assert (report.weights_gb, report.kv_cache_gb) == (16.0, 0.54)
    assert _target(report, "VM.GPU.A10.1").tokens_per_s == 36.3


def test_a_cpu_that_holds_the_model_but_answers_at_under_one_token_per_second_is_not_recommended() -> None:
    # 7e9 × 4 bytes = 28 GB fits 512 GB × 80%; 20 GB/s ÷ 28 GB = 0.71 tokens/s.
    report = _fit(_model(7_000_000_000), _cpu(), dtype="float32")
    cpu = report.local[-1]
    assert cpu.fits and cpu.too_slow and not cpu.recommended
    assert cpu.tokens_per_s == 0.7 and cpu.bandwidth_gb_s == 20.0
    assert not any(t.recommended for t in report.local)
    assert any(line.endswith("too slow to recommend") for line in report.decode)


def test_a_cpu_fast_enough_is_recommended() -> None:
    report = _fit(_model(1_000_000_000), _cpu(), dtype="bfloat16")  # 2 GB: 20 / 2 = 10 tokens/s
    cpu = report.local[-1]
    assert cpu.tokens_per_s == 10.0 and not cpu.too_slow and cpu.recommended


def test_without_a_measured_bandwidth_nothing_is_said_about_speed() -> None:
    report = _fit(_model(7_000_000_000), _cpu(bandwidth=None), dtype="float32")
    cpu = report.local[-1]
    assert cpu.tokens_per_s is None and not cpu.too_slow and cpu.recommended


def test_local_gpus_use_their_datasheet_and_add_up() -> None:
    gpus = [Gpu(index=i, name="NVIDIA A10", memory_gb=24.0) for i in range(2)]
    hardware = Hardware(cpu_count=8, memory_gb=64, gpus=gpus, platform="Linux", memory_bandwidth_gb_s=20.0)
    report = _fit(_model(7_000_000_000), hardware, dtype="bfloat16")
    assert [t.tokens_per_s for t in report.local] == [42.9, 42.9, 85.7, 1.4]
    assert report.local[0].recommended and report.local[-1].too_slow, "20 / 14 = 1.43 on the CPU"


# ---- the weights' choices per engine ------------------------------------------------------------


def _values(model: ModelDetail, engine: str, cuda: bool) -> list[str]:
    return [o.choice.value for o in quantization.engine_options(model, engine, cuda=cuda)]


def test_each_engine_offers_what_it_runs() -> None:
    plain = _model(8_000_000_000, LLAMA_8B)
    assert _values(plain, "transformers", False) == ["float32", "bfloat16", "float16"]
    assert _values(plain, "transformers", True) == ["float32", "bfloat16", "float16", "bnb-8bit", "bnb-4bit"]
    assert _values(plain, "vllm", True) == ["bfloat16", "float16", "fp8", "bitsandbytes"]
    assert _values(plain, "tgi", True) == ["bfloat16", "float16"]
    levels = quantization.engine_options(plain, "llama.cpp", cuda=False)
    assert [o.choice.value for o in levels] == ["F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0"]
    assert all(o.choice.convert for o in levels), "a safetensors model reaches a GGUF level by converting"

    awq = _model(None, LLAMA_8B.model_copy(update={"quantization": Quantization(method="awq", bits=4, group_size=128)}))
    [only] = quantization.engine_options(awq, "vllm", cuda=True)
    assert only.choice.value == "awq" and only.quantization_param == "awq" and only.choice.default
    assert only.choice.bits_per_weight == pytest.approx((0.5 + 2.5 / 128) * 8, abs=1e-4), "4-bit + group scales"

    gguf = _model(
        None,
        Architecture(quantization=Quantization(method="gguf", level="Q4_K_M")),
        formats=[ModelFormat.GGUF],
        size_bytes=4_920_734_016,
    )
    [level] = quantization.engine_options(gguf, "llama.cpp", cuda=False)
    assert (level.choice.value, level.choice.convert, level.choice.default) == ("Q4_K_M", False, True)


def test_defaults_follow_the_device() -> None:
    plain = _model(8_000_000_000, LLAMA_8B)
    cpu = [o.choice.value for o in quantization.engine_options(plain, "transformers", cuda=False) if o.choice.default]
    gpu = [o.choice.value for o in quantization.engine_options(plain, "transformers", cuda=True) if o.choice.default]
    assert (cpu, gpu) == (["float32"], ["bfloat16"])


def test_the_fit_lists_the_engines_choices_only_when_asked() -> None:
    plain = _model(8_000_000_000, LLAMA_8B)
    assert _fit(plain, _cpu()).quantizations == []
    report = _fit(plain, _cpu(), engine="transformers")
    assert [c.value for c in report.quantizations] == ["float32", "bfloat16", "float16"], "no bitsandbytes on a CPU"
    assert report.engine == "transformers"


# ---- the fit prices the choice ------------------------------------------------------------------


def test_a_gguf_level_by_conversion_is_priced_at_its_bits_per_weight() -> None:
    plain = _model(8_000_000_000, LLAMA_8B)
    q8 = _fit(plain, _cpu(), engine="llama.cpp", quantization="Q8_0", context_length=4096)
    assert q8.weights_gb == 8.5, "8e9 × 8.5 bits / 8 = 8.5e9 bytes (Q8_0: 34 bytes per 32 weights)"
    assert q8.quantization == "Q8_0" and q8.dtype == "float16", "llama.cpp's KV cache is f16"
    q4 = _fit(plain, _cpu(), engine="llama.cpp", quantization="Q4_K_M", context_length=4096)
    assert q4.weights_gb == 4.84, "8e9 × 4.84 / 8"
    # 20 GB/s ÷ (4.84 + 0.54 KV) GB = 3.72 tokens/s on the CPU, against 20 / (8.5 + 0.54) = 2.21: a request
    # alone reads its own context, though the memory holds llama.cpp's 4 slots of it (2.15 GB).
    assert (q4.local[-1].tokens_per_s, q8.local[-1].tokens_per_s) == (3.7, 2.2)
    assert (q4.concurrency, q4.kv_cache_gb) == (4, 2.15)
    # Four requests asked for at once: each step reads the four contexts, 20 / (4.84 + 2.15) = 2.86.
    busy = _fit(plain, _cpu(), engine="llama.cpp", quantization="Q4_K_M", context_length=4096, concurrency=4)
    assert busy.local[-1].tokens_per_s == 2.9


def test_bitsandbytes_keeps_the_embeddings_in_16_bits() -> None:
    # Embeddings + head: 2 × 128256 × 4096 = 1,050,673,152 at 2 bytes; the rest at 0.5 + 4/64 = 0.5625 bytes:
    # 6,979,588,096 × 0.5625 + 2,101,346,304 = 6,027,364,608 bytes = 6.03 GB.
    report = _fit(_model(LLAMA_8B_PARAMS, LLAMA_8B), None, engine="vllm", quantization="bitsandbytes")
    assert report.weights_gb == 6.03
    assert report.dtype == "int4"


def test_fp8_on_vllm_is_the_fp8_dtype() -> None:
    # (8,030,261,248 − 1,050,673,152) × 1 + 1,050,673,152 × 2 = 9,080,934,400 bytes = 9.08 GB
    report = _fit(_model(LLAMA_8B_PARAMS, LLAMA_8B), None, engine="vllm", quantization="fp8")
    assert report.weights_gb == 9.08 and report.dtype == "fp8"


# ---- what an engine cannot run ------------------------------------------------------------------


def _refused(call) -> InvalidInput:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        call()
    assert [f.field for f in caught.value.fields] == ["quantization"]
    return caught.value


def test_a_quantization_the_engine_cannot_run_is_refused_on_the_field() -> None:
    plain = _model(8_000_000_000, LLAMA_8B)
    no_cuda = _refused(lambda: _fit(plain, _cpu(), engine="transformers", quantization="bnb-4bit"))
    assert "CUDA GPU" in no_cuda.fields[0].message and "float32, bfloat16, float16" in no_cuda.fields[0].message
    wrong = _refused(lambda: _fit(plain, _cpu(), engine="transformers", quantization="Q4_K_M"))
    assert "not a quantization transformers runs" in wrong.fields[0].message
    _refused(lambda: _fit(plain, _cpu(), quantization="bfloat16"))  # no engine to run it

    gguf = _model(
        None, Architecture(quantization=Quantization(method="gguf", level="Q4_K_M")), formats=[ModelFormat.GGUF]
    )
    other_level = _refused(lambda: quantization.resolve(gguf, "llama.cpp", "Q8_0", cuda=False, where="cpu"))
    assert "convert" in other_level.fields[0].message and "Q4_K_M" in other_level.fields[0].message


# ---- the engine flag a choice becomes (deploy_plan.with_quantization) ---------------------------


def test_a_choice_becomes_the_engines_flag_once() -> None:
    from aqua_ext.services.deploy_plan import with_quantization

    plain = _model(8_000_000_000, LLAMA_8B)
    bf16 = quantization.resolve(plain, "transformers", "bfloat16", cuda=False, where="cpu")
    assert with_quantization(bf16, ["--log-level", "info"], None) == ["--dtype", "bfloat16", "--log-level", "info"]
    # A dtype asked for is already --dtype in params (the driver puts it there): nothing added, if they agree.
    assert with_quantization(bf16, ["--dtype", "bfloat16"], "bfloat16") == ["--dtype", "bfloat16"]
    with pytest.raises(InvalidInput) as twice:
        with_quantization(bf16, ["--dtype", "float16"], None)
    assert twice.value.fields[0].field == "params"

    bnb = quantization.resolve(plain, "vllm", "bitsandbytes", cuda=True, where="OCI")
    assert with_quantization(bnb, ["--max-num-seqs", "8"], None) == [
        "--max-num-seqs",
        "8",
        "--quantization",
        "bitsandbytes",
    ]
    with pytest.raises(InvalidInput) as again:
        with_quantization(bnb, ["--quantization", "fp8"], None)
    assert again.value.fields[0].field == "params" and "given twice" in again.value.fields[0].message
