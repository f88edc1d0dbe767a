"""Deployment on AWS: the reference mapping of the cloud-agnostic needs (see deployment.md).

Drawn top to bottom, one column per Availability Zone, so every edge runs downwards within
its zone and none crosses another: the load balancer spans the zones, each zone holds its
own NAT gateway and application pods, RDS keeps the primary in one zone and its
synchronous standby in another.
"""

from diagrams import Cluster, Diagram, Edge
from diagrams.aws.database import RDSPostgresqlInstance
from diagrams.aws.engagement import SimpleEmailServiceSes
from diagrams.aws.general import Users
from diagrams.aws.management import Cloudwatch
from diagrams.aws.network import ALB, CloudFront, NATGateway, Route53
from diagrams.aws.security import WAF, SecretsManager
from diagrams.aws.storage import SimpleStorageServiceS3Bucket
from diagrams.k8s.compute import Pod, StatefulSet
from refarch.docsgen.diagram_style import key

GRAPH = {
    "fontname": "Sans-Serif",
    "fontsize": "18",
    "pad": "0.3",
    "nodesep": "0.3",
    "ordering": "out",  # zones left to right in the order the balancer's edges list them
    "ranksep": "0.5",
    "splines": "spline",
}
NODE = {"fontsize": "15"}
ZONES = ("a", "b", "c")
DATABASE_ZONES = {"a": "RDS primary", "b": "RDS standby (Multi-AZ)"}
SIDE = {"style": "dotted", "color": "#777777"}


def zone_cluster(label: str) -> Cluster:
    return Cluster(label, graph_attr={"bgcolor": "#f3f7fb", "pencolor": "#5b8db8"})


def draw(filename: str) -> None:
    with Diagram(
        "refarch on AWS: one Region, three Availability Zones",
        filename=filename,
        outformat="svg",
        show=False,
        direction="TB",
        graph_attr=GRAPH,
        node_attr=NODE,
        edge_attr={"fontsize": "13"},
    ):
        users = Users("clients")
        dns = Route53("Route 53")
        waf = WAF("AWS WAF\nrate rules")
        cdn = CloudFront("CloudFront")
        static = SimpleStorageServiceS3Bucket("S3 (private)\nclients, images, docs")

        with Cluster("AWS Region"):
            secrets = SecretsManager("Secrets Manager")
            with Cluster("VPC"):
                alb = ALB("Application Load Balancer\npublic subnets, all zones")
                pods = {}
                nats = {}
                brokers = {}
                databases = {}
                for zone in ZONES:
                    with zone_cluster(f"Availability Zone {zone}"):
                        pods[zone] = Pod(f"refarch pods\n(EKS nodes, {zone})")
                        brokers[zone] = StatefulSet(f"NATS JetStream {zone}\n(stream replica)")
                        # the database first: it lands on the side facing the next zone,
                        # so the replication line crosses no other line
                        if zone in DATABASE_ZONES:
                            databases[zone] = RDSPostgresqlInstance(DATABASE_ZONES[zone])
                        nats[zone] = NATGateway(f"NAT gateway {zone}")
            metrics = Cloudwatch("CloudWatch /\nPrometheus")
            mail = SimpleEmailServiceSes("Amazon SES\n(SMTP relay)")
        legend = key(
            [
                ("solid", "request path"),
                ("dashed", "replication"),
                ("dotted", "egress, secrets, telemetry"),
            ]
        )

        users >> dns >> Edge(label="/api/v1/*") >> waf >> alb
        dns >> Edge(label="static") >> cdn >> static
        for zone in ZONES:
            alb >> pods[zone]
            pods[zone] >> Edge(label="4222" if zone == "a" else "") >> brokers[zone]
            # each zone's broker below its NAT gateway: the picture grows down, not sideways
            nats[zone] >> Edge(style="invis") >> brokers[zone]
        for zone in ZONES:
            pods[zone] >> Edge(label="egress" if zone == "a" else "", **SIDE) >> nats[zone]
        # One drawn connection stands for every pod's: all use the writer endpoint, which
        # points at the primary (three crossing lines would say nothing more).
        pods["a"] >> Edge(label="5432, writer endpoint\n(from every pod)") >> databases["a"]
        pods["b"] >> Edge(style="invis") >> databases["b"]  # the standby sits below its pods
        (
            databases["a"]
            >> Edge(label="synchronous\nreplication", style="dashed", constraint="false")
            >> databases["b"]
        )
        # Secrets and monitoring sit beside the load balancer, above the zones, so their
        # lines run down the outer edges of the picture and cross nothing.
        secrets >> Edge(label="synced to\nK8s Secrets", **SIDE) >> pods["a"]
        metrics >> Edge(label="scrapes metrics,\ncollects logs", **SIDE) >> pods["c"]
        pods["c"] >> Edge(label="SMTP 587", **SIDE) >> mail
        users >> Edge(style="invis") >> legend


DIAGRAMS = {"deployment-aws": draw}
