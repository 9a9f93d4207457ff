"""The Results tab: did outreach work (services.learn.effectiveness), with every figure
opening the customers behind it."""
