locals {
  group_id = "${var.app}-sessions"
}

resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = local.group_id
  description                = "OAuth sessions"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.node_type
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  snapshot_retention_limit   = 1
}

# a third node added to the group by hand, as some modules do: it belongs to the group above
resource "aws_elasticache_cluster" "sessions_reader" {
  cluster_id           = "${local.group_id}-003"
  replication_group_id = aws_elasticache_replication_group.sessions.id
}

resource "aws_elasticache_cluster" "fragments" {
  cluster_id           = "${var.app}-fragments"
  engine               = "memcached"
  node_type            = "cache.t4g.small"
  num_cache_nodes      = 2
  parameter_group_name = "default.memcached1.6"
  port                 = 11211
}
variable "app" {
  type    = string
  default = "login"
}

variable "node_type" {
  type    = string
  default = "cache.m7g.large"
}
