# scripts run as subprocesses by the tests; importing them would run them
collect_ignore_glob = ["scripts/*"]
