"""The repository's Prometheus alert rules, read as Prometheus reads them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser as pp
import yaml

RULES_FILE = Path(__file__).resolve().parent.parent / "deploy" / "prometheus" / "elope-alerts.yml"


@dataclass(frozen=True)
class AlertRule:
    alert: str
    expr: pp.Expr
    labels: dict[str, str]
    annotations: dict[str, str]
    duration: str | None  # the rule's `for:`


def load_rules(path: Path = RULES_FILE) -> list[AlertRule]:
    """Every alerting rule of every group; a bad expression fails here, as promtool's
    `check rules` would."""
    document: dict[str, Any] = yaml.safe_load(path.read_text())
    return [AlertRule(rule["alert"], pp.parse(rule["expr"]), rule.get("labels", {}),
                      rule.get("annotations", {}), rule.get("for"))
            for group in document["groups"] for rule in group["rules"]]


def metric_names(rule: AlertRule) -> set[str]:
    from tests.promql_eval import selectors

    return {selector.name for selector in selectors(rule.expr) if selector.name}
