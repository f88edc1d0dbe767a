# The Application Load Balancer: TLS ends here, HTTP only redirects, and only the API
# prefix is forwarded to the application's NodePort. Everything else, /metrics included,
# gets a 404 from the load balancer itself.

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "Public HTTPS in; the application NodePort out"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from anywhere"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "http_redirect" {
  #checkov:skip=CKV_AWS_260:Port 80 only answers with a redirect to HTTPS (listener "http" below); clients that type a bare address still arrive.
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from anywhere, redirected to HTTPS"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_egress_rule" "to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "The application's NodePort"
  referenced_security_group_id = var.node_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = var.node_port
  to_port                      = var.node_port
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = var.node_security_group_id
  description                  = "The load balancer to the application's NodePort"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = var.node_port
  to_port                      = var.node_port
}

resource "aws_lb" "api" {
  #checkov:skip=CKV2_AWS_76:The web ACL has the Log4j rule group (KnownBadInputs); the check also demands AnonymousIpList, which blocks cloud-hosted addresses, and the API's clients are mostly servers.
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = true
  access_logs {
    bucket  = aws_s3_bucket.logs.id
    prefix  = "alb"
    enabled = true
  }
  tags       = var.tags
  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_lb_target_group" "app" {
  #checkov:skip=CKV_AWS_378:TLS ends at the load balancer; the hop to the nodes stays in the VPC's private subnets, open only to this load balancer's security group.
  name                 = "${var.name}-app"
  vpc_id               = var.vpc_id
  target_type          = "instance"
  protocol             = "HTTP"
  port                 = var.node_port
  deregistration_delay = 30
  health_check {
    path                = var.health_check_path
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
  tags = var.tags
}

# The nodes of the cluster's node group are the targets; the Service's
# externalTrafficPolicy: Local fails the health check on nodes without a ready pod.
resource "aws_autoscaling_attachment" "app" {
  #checkov:skip=CKV2_AWS_15:EKS owns the node group's Auto Scaling group; Kubernetes replaces failed nodes and the load balancer's health check only routes around them.
  autoscaling_group_name = var.node_autoscaling_group
  lb_target_group_arn    = aws_lb_target_group.app.arn
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.api.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
  tags = var.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.api_certificate_arn

  routing_http_response_strict_transport_security_header_value = "max-age=31536000; includeSubDomains"

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "application/json"
      status_code  = "404"
      message_body = "{\"title\": \"Not found\", \"status\": 404}"
    }
  }
  tags = var.tags
}

resource "aws_lb_listener_rule" "api" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 10
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
  condition {
    path_pattern {
      values = ["${var.api_path_prefix}/*"]
    }
  }
  tags = var.tags
}
