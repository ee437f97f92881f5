"""The training memory estimate: each term as the arithmetic shows it, and where it fits."""

from __future__ import annotations

from aqua_ext.api.finetunes import FineTuneParams
from aqua_ext.api.info import Gpu, Hardware
from aqua_ext.api.models import Architecture, Capability, ModelDetail, ModelFormat, ModelSource
from aqua_ext.backends.oci.shapes import get_shape
from aqua_ext.services.training_fit import estimate_training_fit


def model(params: int = 7_000_000_000, layers: int = 32, hidden: int = 4096) -> ModelDetail:
    return ModelDetail(
        id="m",
        name="M",
        source=ModelSource.REGISTERED,
        capability=Capability.TEXT_TO_TEXT,
        parameter_count=params,
        formats=[ModelFormat.SAFETENSORS],
        ready_to_deploy=True,
        ready_to_finetune=True,
        architecture=Architecture(num_hidden_layers=layers, hidden_size=hidden, num_attention_heads=32),
    )


MACHINE = Hardware(cpu_count=2, memory_gb=24.0, gpus=[], platform="linux")


def test_lora_on_a_7b_model_in_bfloat16_is_weights_plus_small_terms() -> None:
    fit = estimate_training_fit(
        model(),
        FineTuneParams(batch_size=1, max_seq_length=512),
        "bfloat16",
        shapes=[get_shape("VM.GPU.A10.1"), get_shape("VM.GPU.A10.2"), get_shape("BM.GPU.H100.8")],
    )
    assert fit.arithmetic[0] == "weights = 7B params × 2 B (bfloat16) = 14.00 GB"
    # 32 layers × 7 matrices × r 8 × 2 × 4096 = 14.7M trainable parameters, × (2 + 8) bytes.
    assert "= 14.7M params" in fit.arithmetic[1] and "= 0.15 GB" in fit.arithmetic[2]
    # 1 × 512 × 4096 × 32 × 34 bytes of activations
    assert fit.arithmetic[3].endswith("= 2.28 GB")
    assert fit.total_gb == round(14.0 + 0.1468 + 2.2817 + 1.4, 2)
    fits = {t.name: t.fits for t in fit.targets}
    assert fits == {"VM.GPU.A10.1": True, "VM.GPU.A10.2": True, "BM.GPU.H100.8": True}
    assert fit.recommended_shape == "VM.GPU.A10.1"  # the least memory that holds it


def test_full_layers_cost_optimizer_state_and_may_not_fit() -> None:
    params = FineTuneParams(training_type="last_layers", last_n_layers=32, batch_size=8, max_seq_length=2048)
    fit = estimate_training_fit(model(), params, "float32", hardware=MACHINE)
    assert "7B × 32/32 layers = 7B params" in fit.arithmetic[1]
    assert fit.total_gb is not None and fit.total_gb > 100
    assert [(t.name, t.fits) for t in fit.targets] == [("cpu", False)] and fit.recommended_shape is None


def test_a_tiny_model_fits_this_machine_and_an_unknown_one_is_not_guessed() -> None:
    tiny = estimate_training_fit(
        model(params=140_000, layers=2, hidden=64),
        FineTuneParams(),
        "float32",
        hardware=Hardware(
            cpu_count=2, memory_gb=24.0, platform="linux", gpus=[Gpu(index=0, name="A10", memory_gb=24.0)]
        ),
    )
    assert [t.name for t in tiny.targets] == ["gpu", "cpu"] and tiny.recommended_shape == "gpu"
    unknown = model()
    unknown.parameter_count = None
    blind = estimate_training_fit(unknown, FineTuneParams(), "float32", hardware=MACHINE)
    assert blind.total_gb is None and not any(t.fits for t in blind.targets) and blind.assumptions
