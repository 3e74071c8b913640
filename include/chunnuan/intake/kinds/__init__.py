"""One module per submission kind (form): its columns, how cells become values, its checks."""
