print("clvfit")
