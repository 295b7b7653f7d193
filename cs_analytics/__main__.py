from cs_analytics.cli.main import main

raise SystemExit(main())
