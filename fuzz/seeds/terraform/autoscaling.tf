resource "aws_elasticache_replication_group" "catalog" {
  replication_group_id       = "catalog"
  description                = "Product catalog cache"
  engine                     = "valkey"
  node_type                  = "cache.r7g.large"
  num_node_groups            = 2
  replicas_per_node_group    = 1
  automatic_failover_enabled = true
  snapshot_retention_limit   = 0
}

resource "aws_appautoscaling_target" "catalog_shards" {
  service_namespace  = "elasticache"
  scalable_dimension = "elasticache:replication-group:NodeGroups"
  resource_id        = "replication-group/${aws_elasticache_replication_group.catalog.id}"
  min_capacity       = 2
  max_capacity       = 6
}

resource "aws_appautoscaling_policy" "catalog_cpu" {
  name               = "catalog-cpu"
  policy_type        = "TargetTrackingScaling"
  resource_id        = aws_appautoscaling_target.catalog_shards.resource_id
  scalable_dimension = aws_appautoscaling_target.catalog_shards.scalable_dimension
  service_namespace  = aws_appautoscaling_target.catalog_shards.service_namespace

  target_tracking_scaling_policy_configuration {
    target_value = 60

    predefined_metric_specification {
      predefined_metric_type = "ElastiCachePrimaryEngineCPUUtilization"
    }
  }
}
