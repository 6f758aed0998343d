"""Write side: the partner CSV format — validate rows, import (all-or-nothing or valid rows
only) and export, so that export then import gives back the same directory."""
