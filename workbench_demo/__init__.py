"""Settings for the xblock-sdk workbench running the block's scenarios (demo and block tests)."""
