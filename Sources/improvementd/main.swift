print("improvementd")
