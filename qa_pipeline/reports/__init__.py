"""Read-side views of stored calls: pure, data in and documents or frames out."""
