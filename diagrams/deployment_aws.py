"""Deployment on AWS: the reference mapping of the cloud-agnostic needs (see deployment.md)."""

from diagrams import Cluster, Diagram, Edge
from diagrams.aws.compute import ElasticKubernetesService
from diagrams.aws.database import ElasticacheForRedis, RDSPostgresqlInstance
from diagrams.aws.general import Users
from diagrams.aws.management import Cloudwatch
from diagrams.aws.network import (
    CloudFront,
    ElasticLoadBalancing,
    InternetGateway,
    NATGateway,
    Route53,
)
from diagrams.aws.security import SecretsManager
from diagrams.aws.storage import SimpleStorageServiceS3Bucket
from diagrams.k8s.compute import Pod

GRAPH = {
    "fontname": "Sans-Serif",
    "fontsize": "16",
    "pad": "0.4",
    "nodesep": "0.6",
    "ranksep": "0.9",
}
PLANNED = {"style": "dashed"}


def draw(filename: str) -> None:
    with Diagram(
        "refarch on AWS (three Availability Zones)",
        filename=filename,
        outformat="svg",
        show=False,
        direction="LR",
        graph_attr=GRAPH,
    ):
        users = Users("clients")
        dns = Route53("Route 53")
        cdn = CloudFront("CloudFront")
        static = SimpleStorageServiceS3Bucket("S3: clients, images, docs")

        with Cluster("AWS Region"):
            secrets = SecretsManager("Secrets Manager")
            logs = Cloudwatch("CloudWatch / Prometheus")
            with Cluster("VPC"):
                igw = InternetGateway("Internet gateway")
                with Cluster("Public subnets (one per AZ)"):
                    alb = ElasticLoadBalancing(
                        "Application Load Balancer\nTLS, health check /api/v1/ready"
                    )
                    nat = NATGateway("NAT gateway per AZ")
                with Cluster("Private subnets (one per AZ)"):
                    with Cluster("Amazon EKS, managed node groups"):
                        eks = ElasticKubernetesService("EKS control plane")
                        pods = [Pod(f"refarch pod {zone}") for zone in ("AZ a", "AZ b", "AZ c")]
                    cache = ElasticacheForRedis("ElastiCache\n(planned, optional)")
                with Cluster("Database subnets"):
                    primary = RDSPostgresqlInstance("RDS PostgreSQL primary")
                    standby = RDSPostgresqlInstance("Multi-AZ standby")

        users >> dns
        dns >> Edge(label="static") >> cdn >> static
        dns >> Edge(label="API") >> igw >> alb
        alb >> Edge(label="HTTP") >> pods
        eks - Edge(style="dotted") - pods[1]
        for pod in pods:
            pod >> Edge(label="5432") >> primary
        primary >> Edge(label="synchronous replication") >> standby
        pods[2] >> Edge(label="planned", **PLANNED) >> cache
        pods[0] >> Edge(label="egress") >> nat
        secrets >> Edge(label="synced to Kubernetes Secrets", style="dotted") >> eks
        pods[1] >> Edge(label="metrics, logs", style="dotted") >> logs


DIAGRAMS = {"deployment-aws": draw}
