"""The `aqua-ext` command: the same backends, services and configuration as the server extension,
in a terminal.

    aqua-ext info
    aqua-ext models list [--q TEXT] [--source S] [--capability C] [--format F] [--max-size-gb N] [--refresh]
    aqua-ext models get MODEL_ID
    aqua-ext models register (--path FOLDER | --os-uri oci://B@NS/PREFIX | --hf-id ORG/NAME [--revision R]
                              [--os-uri oci://B@NS/PREFIX]) [--name NAME] [--target T]
    aqua-ext models delete MODEL_ID
    aqua-ext models fit MODEL_ID [--dtype D] [--context-length N] [--concurrency N]
    aqua-ext deployments create MODEL_ID --name NAME [--description D] [--shape S] [--replicas N]
                              [--engine E] [--mode chat|completion|embedding] [--dtype D]
                              [--max-model-len N] [--idle-stop-minutes N] [--param '--name value' ...]
                              [--log-group-id ID --log-id ID] [--target T] [--no-wait]
                              [--export terraform [-o FILE]]
    aqua-ext deployments list
    aqua-ext deployments get|activate|deactivate|delete DEPLOYMENT_ID
    aqua-ext deployments logs DEPLOYMENT_ID [--tail N] [--follow]
    aqua-ext chat DEPLOYMENT_ID "prompt" [--system S] [--max-tokens N] [--temperature T] [--top-p P]
                              [--top-k K] [--stop S]... [--seed N] [--timeout S]
    aqua-ext datasets validate PATH [--model-id M] [--max-seq-length N] [--validation-split F] [--kind K]
    aqua-ext finetune create MODEL_ID DATASET --name NAME [--epochs N] [--learning-rate F] [--batch-size N]
                              [--max-seq-length N] [--validation-split F] [--training-type lora|last_layers]
                              [--lora-r N] [--lora-alpha N] [--lora-dropout F] [--lora-target-modules a,b]
                              [--last-n-layers N] [--pad-to-max-length] [--early-stopping-patience N]
                              [--early-stopping-threshold F] [--logging-steps N] [--seed N] [--shape S]
                              [--replicas N] [--output-uri oci://B@NS/PREFIX] [--experiment-name E]
                              [--subnet-id ID] [--log-group-id ID --log-id ID] [--description D] [--target T]
                              [--follow]
    aqua-ext finetune list
    aqua-ext finetune get|cancel|delete|metrics JOB_ID
    aqua-ext finetune logs JOB_ID [--tail N] [--follow]
    aqua-ext evaluations create DEPLOYMENT_ID (DATASET | --finetune-id ID) --name NAME [--description D]
                              [--sample-size N] [--metrics rouge,bleu,...] [--concurrency N] [--max-tokens N]
                              [--temperature T] [--top-p P] [--top-k K] [--frequency-penalty F]
                              [--presence-penalty F] [--stop S]... [--seed N] [--shape S] [--report-uri URI]
                              [--log-group-id ID --log-id ID] [--target T] [--follow]
                              [--judge ID [--judge-model M]]... [--rubric correctness|helpfulness|custom
                              --rubric-text T] [--judge-concurrency N]
    aqua-ext evaluations list
    aqua-ext evaluations get|cancel|delete EVALUATION_ID
    aqua-ext evaluations rows EVALUATION_ID [--sort KEY] [--desc] [--category C] [--limit N] [--offset N]
    aqua-ext evaluations report EVALUATION_ID [-o FILE] [--force]
    aqua-ext evaluations compare EVALUATION_ID EVALUATION_ID [...]
    aqua-ext evaluations logs EVALUATION_ID [--tail N] [--follow]

Configuration: what the server reads. The traits of the server extension (`data_dir`, `targets`,
`allowed_model_roots`, `hf_cache_dir`, `oci_*`) come from `jupyter_server_config.{py,json}` (and
`jupyter_config.*`, `jupyter_aqua_ext_config.*`) in Jupyter's config path, e.g.
`{"AquaExtension": {"data_dir": "/data/aqua"}}`; the global flags override them: --backend,
--data-dir, --allowed-root, --oci-* (and AQUA_OCI_ENDPOINTS=service=url,…). Empty OCI settings fall
back to OCI_CONFIG_LOCATION, OCI_CONFIG_PROFILE, OCI_IAM_TYPE, NB_SESSION_COMPARTMENT_OCID,
PROJECT_OCID and OCI_REGION, as in the server. `aqua-ext info` says which data dir and targets a
command uses and which file or flag set them.

Commands call the server's services (never a backend) over every enabled target: lists merge
the targets (a target that cannot start is a warning on stderr; with several, tables have a
TARGET column), an id is routed to the target that owns it, a create takes `--target` (default:
where the server's services put it); `--backend NAME` keeps one target.

Global flags go before the command or after it (`aqua-ext --json models list` and
`aqua-ext models list --json` are the same). Tables by default, JSON with --json. A Hugging Face
token is read from HF_TOKEN, never from the command line (it would show in `ps` and shell history).

The package: `entry` (`main`: parser, dispatch, exit codes), `context` (settings → what commands call),
`jupyter_config` (reading the server's config files), `output` (tables, JSON, formatting), `follow`
and `jobs` (following, and what the job groups share), and one module per command group.
"""

from .entry import build_parser, main

__all__ = ["build_parser", "main"]
