"""Placeholder replaced below."""
import click
demo_command = click.Command("demo")
