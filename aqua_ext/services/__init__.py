"""The owners of every rule, one module per resource (lifecycle tables, allowed actions, fit
checks, defaults), over the enabled targets. No tornado here.

`Services` bundles one service per resource; the server extension puts it in the handlers'
settings, the CLI builds its own from the same configuration (`target_factory.build_targets`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .connections import Connections
    from .deployments import Deployments
    from .evaluations import Evaluations
    from .finetunes import FineTunes
    from .genai import GenAi
    from .idle_stop import IdleStop
    from .info import Info
    from .models import Models
    from .oci_setup import OciSetup
    from .targets import Targets


class Services:
    """One service per resource, over one set of targets."""

    def __init__(self, targets: Targets, connections: Connections) -> None:
        from .deployments import Deployments
        from .evaluations import Evaluations
        from .finetunes import FineTunes
        from .genai import GenAi
        from .idle_stop import IdleStop
        from .info import Info
        from .models import Models
        from .oci_setup import OciSetup

        self.targets = targets
        self.models: Models = Models(targets)
        self.deployments: Deployments = Deployments(targets)
        # Started by the server only (start_watching): the CLI relays no traffic to judge idleness by.
        self.idle_stop: IdleStop = IdleStop(self.deployments)
        self.finetunes: FineTunes = FineTunes(targets)
        self.evaluations: Evaluations = Evaluations(targets, self.deployments, connections)
        self.info: Info = Info(targets)
        self.oci_setup: OciSetup = OciSetup(targets)
        self.connections = connections
        self.genai: GenAi = GenAi(targets, self.models)

    def start_watching(self) -> None:
        """The server's own watchers (idle stop), once its event loop runs."""
        self.idle_stop.start()

    async def close(self) -> None:
        await self.idle_stop.close()
        await self.targets.close()
        await self.connections.close()
