"""The service: the app, the poller, the pipeline that ties the stages, once/run/replay."""
