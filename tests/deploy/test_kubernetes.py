"""deploy/kubernetes: every manifest is valid for a pinned Kubernetes, and says what we promise.

The schemas are Kubernetes' own OpenAPI-derived JSON schemas as shipped inside the
`kubernetes-validate` package (strict: unknown fields are errors), so this runs offline.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from redeem.config import ConfigError, check, from_env

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "deploy" / "kubernetes"
# The oldest Kubernetes minor version its maintainers still support when this was written;
# the manifests use nothing newer.
KUBERNETES_VERSION = "1.33"


def _documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(FOLDER.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document:
                found.append((path.name, document))
    return found


DOCUMENTS = _documents()


def one(kind: str) -> dict[str, Any]:
    matches = [doc for _, doc in DOCUMENTS if doc["kind"] == kind]
    assert len(matches) == 1, f"expected one {kind}, found {len(matches)}"
    return matches[0]


def pod_spec() -> dict[str, Any]:
    return dict(one("Deployment")["spec"]["template"]["spec"])


def container() -> dict[str, Any]:
    containers = pod_spec()["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def dockerfile() -> str:
    """The Dockerfile's last stage: the image `docker build .` makes and the pods run."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    return text[text.rindex("\nFROM ") :]


@pytest.mark.parametrize(
    "name, document",
    DOCUMENTS,
    ids=[f"{name}:{doc['kind']}/{doc['metadata']['name']}" for name, doc in DOCUMENTS],
)
def test_every_manifest_is_valid_for_the_pinned_kubernetes(name: str, document: dict) -> None:
    # Raises SchemaNotFoundError for a kind or apiVersion this Kubernetes does not have.
    validated = kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    assert validated == KUBERNETES_VERSION


def test_the_validator_rejects_what_kubernetes_would() -> None:
    broken = copy.deepcopy(one("Deployment"))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    misspelt = copy.deepcopy(one("Deployment"))
    misspelt["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misspelt, KUBERNETES_VERSION, strict=True)


def test_the_folder_holds_every_kind_the_deployment_needs() -> None:
    kinds = sorted(doc["kind"] for _, doc in DOCUMENTS)
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "HorizontalPodAutoscaler",
            "Ingress",
            "Namespace",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Secret",
            "Service",
        ]
    )


def test_kustomization_applies_everything_but_the_secret_placeholders() -> None:
    kustomization = yaml.safe_load((FOLDER / "kustomization.yaml").read_text(encoding="utf-8"))
    listed = kustomization["resources"]
    on_disk = sorted(p.name for p in FOLDER.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted([*listed, "secret.example.yaml"]) == on_disk
    assert all(doc["kind"] != "Secret" for name, doc in DOCUMENTS if name in listed)
    assert kustomization["namespace"] == one("Namespace")["metadata"]["name"]
    assert {image["name"] for image in kustomization["images"]} == {container()["image"]}


def test_at_least_two_replicas_always() -> None:
    assert one("Deployment")["spec"]["replicas"] >= 2
    assert one("HorizontalPodAutoscaler")["spec"]["minReplicas"] >= 2
    assert one("PodDisruptionBudget")["spec"]["minAvailable"] >= 1
    rollout = one("Deployment")["spec"]["strategy"]["rollingUpdate"]
    assert rollout["maxUnavailable"] == 0


def test_pods_run_as_the_images_user_not_root_on_a_read_only_root() -> None:
    user = re.search(r"^USER (\d+)$", dockerfile(), re.M)
    assert user is not None
    pod = pod_spec()["securityContext"]
    assert pod["runAsNonRoot"] is True
    assert pod["runAsUser"] == int(user.group(1)) == 10001
    assert pod["seccompProfile"]["type"] == "RuntimeDefault"
    box = container()["securityContext"]
    assert box["readOnlyRootFilesystem"] is True
    assert box["allowPrivilegeEscalation"] is False
    assert box["capabilities"]["drop"] == ["ALL"]
    assert pod_spec()["automountServiceAccountToken"] is False


def test_every_place_the_app_writes_is_an_empty_dir() -> None:
    env = dict(re.findall(r"^\s+(PROMETHEUS_MULTIPROC_DIR)=(\S+)", dockerfile(), re.M))
    metrics_dir = env["PROMETHEUS_MULTIPROC_DIR"]
    volumes = {v["name"]: v for v in pod_spec()["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container()["volumeMounts"]}
    # gunicorn's worker_tmp_dir is /dev/shm (gunicorn.conf.py); the metrics live under it.
    assert '"/dev/shm"' in (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
    for path in ("/dev/shm", metrics_dir, "/tmp"):
        mount = max((m for m in mounts if path == m or path.startswith(m + "/")), key=len)
        assert "emptyDir" in volumes[mounts[mount]], path


def test_probes_ask_healthz_for_liveness_and_readyz_for_readiness() -> None:
    box = container()
    ports = {p["name"]: p["containerPort"] for p in box["ports"]}
    exposed = re.search(r"^EXPOSE (\d+)$", dockerfile(), re.M)
    assert exposed is not None and ports["http"] == int(exposed.group(1))
    assert box["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert box["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert box["startupProbe"]["httpGet"]["path"] == "/healthz"


def test_resources_are_requested_and_memory_is_capped() -> None:
    resources = container()["resources"]
    assert {"cpu", "memory"} <= resources["requests"].keys()
    assert "memory" in resources["limits"]


def test_a_stopping_pod_drains_before_it_is_killed() -> None:
    settings = one("ConfigMap")["data"]
    graceful = int(settings["GUNICORN_GRACEFUL_TIMEOUT"])
    pause = container()["lifecycle"]["preStop"]["exec"]["command"]
    assert pause[0] == "sleep"
    # SIGKILL comes terminationGracePeriodSeconds after the preStop hook starts: the pause
    # and gunicorn's whole graceful timeout must fit, with room to spare.
    assert pod_spec()["terminationGracePeriodSeconds"] >= int(pause[1]) + graceful + 1


def test_service_pdb_hpa_and_ingress_point_at_the_deployment() -> None:
    labels = one("Deployment")["spec"]["template"]["metadata"]["labels"]
    selector = one("Deployment")["spec"]["selector"]["matchLabels"]
    assert selector.items() <= labels.items()
    service = one("Service")
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert one("NetworkPolicy")["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    target = one("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", one("Deployment")["metadata"]["name"])
    backend = one("Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    sources = container()["envFrom"]
    assert {s["configMapRef"]["name"] for s in sources if "configMapRef" in s} == {
        one("ConfigMap")["metadata"]["name"]
    }
    assert {s["secretRef"]["name"] for s in sources if "secretRef" in s} == {
        one("Secret")["metadata"]["name"]
    }


def _egress_by_port() -> dict[int, dict[str, Any]]:
    rules: dict[int, dict[str, Any]] = {}
    for rule in one("NetworkPolicy")["spec"]["egress"]:
        # A rule without `to` or `ports` would allow every destination or every port.
        assert rule.get("to") and rule.get("ports"), rule
        for port in rule["ports"]:
            rules[port["port"]] = rule
    return rules


def test_pods_reach_only_dns_redis_and_gifq() -> None:
    policy = one("NetworkPolicy")["spec"]
    assert sorted(policy["policyTypes"]) == ["Egress", "Ingress"]
    rules = _egress_by_port()
    assert sorted(rules) == [53, 443, 6379]
    assert sorted(p["protocol"] for p in rules[53]["ports"]) == ["TCP", "UDP"]
    assert rules[53]["to"][0]["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}
    (gifq,) = rules[443]["to"]
    assert set(gifq) == {"ipBlock"}
    assert gifq["ipBlock"]["cidr"] not in ("0.0.0.0/0", "::/0")
    # Redis: the namespace and port the Secret's REDIS_URL points at.
    redis_url = urlsplit(one("Secret")["stringData"]["REDIS_URL"])
    (redis,) = rules[6379]["to"]
    namespace = redis["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
    assert redis_url.hostname is not None and redis_url.hostname.split(".")[1] == namespace
    assert redis_url.port == 6379


def test_only_the_ingress_controller_reaches_the_pods() -> None:
    (rule,) = one("NetworkPolicy")["spec"]["ingress"]
    (source,) = rule["from"]
    assert source["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "ingress-nginx"
    }
    assert [p["port"] for p in rule["ports"]] == [8000]


def test_every_setting_and_secret_is_one_the_app_reads() -> None:
    sources = (ROOT / "redeem" / "config.py").read_text(encoding="utf-8") + (
        ROOT / "gunicorn.conf.py"
    ).read_text(encoding="utf-8")
    keys = [*one("ConfigMap")["data"], *one("Secret")["stringData"]]
    unknown = [key for key in keys if f'"{key}"' not in sources]
    assert not unknown


def _env(**secrets: str) -> dict[str, str]:
    return {**one("ConfigMap")["data"], **secrets}


def test_the_settings_with_real_secrets_pass_the_production_guard() -> None:
    check(
        from_env(
            _env(
                SECRET_KEY="k" * 64,
                METRICS_TOKEN="m" * 32,
                REDIS_URL="redis://:pw@redis-master.redis.svc.cluster.local:6379/0",
            )
        )
    )


@pytest.mark.parametrize("key", ["SECRET_KEY", "METRICS_TOKEN"])
def test_a_placeholder_secret_stops_the_app_at_start(key: str) -> None:
    real = {
        "SECRET_KEY": "k" * 64,
        "METRICS_TOKEN": "m" * 32,
        "REDIS_URL": "redis://:pw@redis-master.redis.svc.cluster.local:6379/0",
    }
    placeholder = one("Secret")["stringData"][key]
    with pytest.raises(ConfigError, match=key):
        check(from_env(_env(**{**real, key: placeholder})))
