resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions-${var.env}"
  description                = "Sessions"
  engine                     = "valkey"
  node_type                  = var.size_map[var.env]
  num_cache_clusters         = var.env == "prod" ? 2 : 1
  automatic_failover_enabled = true
}

resource "aws_elasticache_serverless_cache" "ratelimit" {
  name   = "ratelimit-${var.env}"
  engine = "valkey"
}
variable "env" {
  type = string
}

variable "size_map" {
  type = map(string)
  default = {
    dev  = "cache.t4g.small"
    prod = "cache.r7g.large"
  }
}
