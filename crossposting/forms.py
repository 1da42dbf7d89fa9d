"""HTML input parsing for connecting a network: fields come from the network's adapter."""

from __future__ import annotations

from django import forms

from crossposting import networks


class ConnectForm(forms.Form):
    def __init__(self, *args: object, network: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.network = network
        self.adapter = networks.get(network)
        self.prefix = network
        for f in self.adapter.fields:
            widget = (
                forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False)
                if f.secret
                else forms.TextInput(attrs={"placeholder": f.placeholder, "autocomplete": "off"})
            )
            self.fields[f.name] = forms.CharField(
                label=f.label, required=f.required, help_text=f.help, widget=widget, max_length=2000
            )
