from cs_analytics.cli import main

raise SystemExit(main())
