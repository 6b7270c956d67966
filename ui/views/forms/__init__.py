"""The composer's forms, one module each (``ui/views/composer_view.py`` stacks them), and
the field builders they share (``fields.py``)."""
