region = "us-east-2"
count = 3
enabled = true
zones = ["a", "b"]
tags = { Team = "core", "Env" = "dev" }
nothing = null
ratio = 1.5e3
