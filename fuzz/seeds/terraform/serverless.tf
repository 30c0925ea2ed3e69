variable "max_storage_gb" {
  type    = number
  default = 5
}

locals {
  ecpu_limit = 5000
}

resource "aws_elasticache_serverless_cache" "chat" {
  name                     = "chat-presence"
  engine                   = "valkey"
  major_engine_version     = "8"
  snapshot_retention_limit = 1
  daily_snapshot_time      = "04:00"
  subnet_ids               = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]

  cache_usage_limits {
    data_storage {
      maximum = var.max_storage_gb
      unit    = "GB"
    }

    ecpu_per_second {
      maximum = local.ecpu_limit
    }
  }
}
