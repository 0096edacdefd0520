"""Connecting to Ray: join the cluster in RAY_ADDRESS, or start a private local instance bound to 127.0.0.1 only.

Ray rewrites a node IP of 127.0.0.1 to the machine's network address unless it believes it runs without a cluster;
telling it so (before it starts) keeps every Ray server and connection of a local instance on loopback.
"""
import os

LOOPBACK = "127.0.0.1"
NAMESPACE = "oyster"


def quiet_env() -> None:
    """No usage reporting; tokens only where an operator set them up (a local instance is loopback-only)."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if not os.environ.get("RAY_ADDRESS"):
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")


def pin_loopback() -> None:
    """Make Ray's idea of this node's IP 127.0.0.1 (for this process and the Ray processes it starts)."""
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    from ray._private import ray_constants  # read at call time by services.get_node_ip_address
    ray_constants.ENABLE_RAY_CLUSTER = False


def connect(num_cpus: int | None = None, object_store_mb: int = 256) -> bool:
    """Join RAY_ADDRESS if set, else start a local loopback-only Ray. Returns True when it started a local one.

    Does nothing (returns False) when this process is already connected.
    """
    quiet_env()
    import ray
    if ray.is_initialized():
        return False
    address = os.environ.get("RAY_ADDRESS", "").strip()
    if address and address != "local":
        ray.init(address=address, namespace=NAMESPACE, log_to_driver=False)
        return False
    pin_loopback()
    ray.init(address="local", namespace=NAMESPACE, num_cpus=num_cpus or os.cpu_count() or 1,
             include_dashboard=False, object_store_memory=object_store_mb * 2**20, _node_ip_address=LOOPBACK,
             log_to_driver=False)
    return True
