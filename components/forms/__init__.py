"""The form builder: the forms list, the editor's controls and the live preview."""
