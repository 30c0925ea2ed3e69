variable "environment" {
  description = "Deployment environment"
  type        = string
}

variable "node_type" {
  description = "Cache node type"
  type        = string
  default     = "cache.t4g.medium"
}

variable "shard_count" {
  type    = number
  default = 2
}

variable "subnet_group_name" {
  type = string
}
locals {
  name     = "orders-${var.environment}"
  replicas = 1

  tags = {
    Service     = "orders"
    Environment = var.environment
  }
}
resource "aws_elasticache_parameter_group" "orders" {
  name   = "${local.name}-valkey8-cluster"
  family = "valkey8"

  parameter {
    name  = "cluster-enabled"
    value = "yes"
  }

  parameter {
    name  = "maxmemory-policy"
    value = "allkeys-lru"
  }
}

resource "aws_elasticache_replication_group" "orders" {
  replication_group_id       = local.name
  description                = "Orders cache (${var.environment})"
  engine                     = "valkey"
  engine_version             = "8.0"
  node_type                  = var.node_type
  port                       = 6379
  parameter_group_name       = aws_elasticache_parameter_group.orders.name
  cluster_mode               = "enabled"
  num_node_groups            = var.shard_count
  replicas_per_node_group    = local.replicas
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = var.subnet_group_name
  snapshot_retention_limit   = 7
  snapshot_window            = "03:00-04:00"
  maintenance_window         = "sun:05:00-sun:06:00"
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true

  tags = local.tags
}
