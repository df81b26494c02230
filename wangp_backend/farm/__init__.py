"""Farm mode, Blender's side: the farm's HTTP API (``client``) in plain data (``wire``), spoken by
``wangp_backend.hosts.farm.FarmHost``.

Standard library and numpy only, no Ray: the farm itself (the top-level ``farm`` package, outside the
extension) runs on the cluster. Data flows: JobRequest -> upload + submit; events -> the same messages
as every host; a finished clip -> downloaded, checked, filed as a take with its sidecar.
"""
